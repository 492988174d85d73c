import os
def f():
    # PATH, HOSTNAME and HOME are Docker's; LC_CTYPE is set by Python itself (PEP 538).
    return sorted(k for k in os.environ if k not in ('PATH', 'HOSTNAME', 'HOME', 'LC_CTYPE'))
