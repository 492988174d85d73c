import socket
def f():
    try:
        return socket.gethostbyname('example.com')
    except OSError:
        return 'blocked'
