// <iostream> alone, precompiled at image build time (precompiled-iostream.hpp.gch): a whole
// program whose first line includes it gets it from here, in a fifth of the time parsing it
// takes (driver.cpp, program_unit).
#include <iostream>
