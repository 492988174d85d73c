import os
def f():
    outcomes = []
    for target in ['/etc/hostname', '/proc/self/root/etc/passwd', '/proc/sys/kernel/hostname', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/proc/2/mem']:
        link = '/tmp/link'
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(target, link)
        try:
            with open(link, 'w') as out:
                out.write('owned')
            outcomes.append('WROTE ' + target)
        except OSError:
            outcomes.append('denied')
    return outcomes
