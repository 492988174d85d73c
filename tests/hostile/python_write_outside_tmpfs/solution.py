def f():
    outcomes = []
    for path in ['/etc/passwd', '/usr/bin/python3', '/root/x', '/opt/harness/harness.py', '/x']:
        try:
            with open(path, 'a') as out:
                out.write('owned')
            outcomes.append('WROTE ' + path)
        except OSError:
            outcomes.append('denied')
    return outcomes
