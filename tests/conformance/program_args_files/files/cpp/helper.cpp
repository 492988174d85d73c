#include "helper.h"

long long twice(long long n) { return 2 * n; }
