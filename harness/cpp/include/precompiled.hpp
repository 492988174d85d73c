// The standard library, precompiled at image build time (precompiled.hpp.gch): parsing it
// costs about 1.5 s, loading the precompiled form a tenth of that. Every submission's
// translation unit includes it first, with the flags it was built with.
#include <bits/stdc++.h>
