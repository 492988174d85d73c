#pragma once

long long twice(long long n);
