import socket
def f():
    outcomes = []
    for host, port in [('127.0.0.1', {{GATEWAY_PORT}}), ('127.0.0.1', 4222), ('10.0.0.1', 80), ('1.1.1.1', 53)]:
        try:
            socket.create_connection((host, port), timeout=1).close()
            outcomes.append('CONNECTED %s:%d' % (host, port))
        except OSError:
            outcomes.append('blocked')
    return outcomes
