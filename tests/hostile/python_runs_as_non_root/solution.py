def f():
    import os
    with open('/proc/self/status') as status:
        caps = [line.split()[1] for line in status if line.startswith('CapEff')]
    return [os.getuid(), os.geteuid(), os.getgid(), caps[0]]
