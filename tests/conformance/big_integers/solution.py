def addLongs(a, b):
    return a + b
