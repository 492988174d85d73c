def countChar(s, c):
    return s.count(c)
