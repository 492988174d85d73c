import os, subprocess
def f(x):
    if x == 1:
        subprocess.Popen(['sleep', '1000'])
        if os.fork() == 0:
            os.setsid()
            while True:
                pass
    return x
