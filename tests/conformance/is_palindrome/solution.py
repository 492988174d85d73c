def isPalindrome(x):
    return str(x) == str(x)[::-1]
