import os
def f():
    # PATH, HOSTNAME and HOME are Docker's; LC_CTYPE is set by Python itself (PEP 538);
    # SANDBOX_MEMORY_BYTES is the supervisor's word on the memory limit.
    allowed = ('PATH', 'HOSTNAME', 'HOME', 'LC_CTYPE', 'SANDBOX_MEMORY_BYTES')
    return sorted(k for k in os.environ if k not in allowed)
