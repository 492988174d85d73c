def f(x):
    failed = 0
    for path in ("/dev/shm/x", "/dev/mqueue/x"):
        try:
            with open(path, "w") as out:
                out.write("x")
        except OSError:
            failed += 1
    return failed == 2
