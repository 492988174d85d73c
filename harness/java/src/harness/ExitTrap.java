package harness;

import java.security.Permission;
import java.security.Policy;
import java.security.ProtectionDomain;

/**
 * Turns System.exit and Runtime.halt in user code into an {@link ExitRequest} thrown where they
 * are called, so that one test's exit does not end the rest. A SecurityManager is deprecated in
 * Java 17 but still works with -Djava.security.manager=allow; it permits everything else, as
 * the container is the sandbox.
 */
@SuppressWarnings("removal")
final class ExitTrap extends SecurityManager {
    /** An Error, so that user code's catch (Exception e) does not swallow it. */
    static final class ExitRequest extends Error {
        final int status;

        ExitRequest(int status) {
            super("System.exit(" + status + ")", null, false, false);
            this.status = status;
        }
    }

    private volatile boolean released;
    /** The harness's own thread, which installs the trap: user code never runs on it. */
    private final Thread harness = Thread.currentThread();

    private ExitTrap() {}

    /**
     * Installs the trap. setSecurityManager prints a deprecation warning, on the JVM's initial
     * stderr (the harness's own, not the test's capture).
     */
    static ExitTrap install() {
        // Before a SecurityManager of the class path, setSecurityManager asks the Policy whether
        // that class holds every permission, and the JDK's Policy reads and parses its policy
        // files for it: 10 to 20 ms at every job. This one says yes, as the trap does (it never
        // asks the Policy).
        Policy.setPolicy(new Policy() {
            @Override
            public boolean implies(ProtectionDomain domain, Permission permission) {
                return true;
            }
        });
        ExitTrap trap = new ExitTrap();
        System.setSecurityManager(trap);
        return trap;
    }

    /** Lets any thread exit: the harness is done. */
    void release() {
        released = true;
    }

    @Override
    public void checkExit(int status) {
        // The harness's thread halts the JVM whenever it must, out of memory too: no ExitRequest.
        if (!released && Thread.currentThread() != harness) {
            throw new ExitRequest(status);
        }
    }

    @Override
    public void checkPermission(Permission permission) {
        if (permission instanceof RuntimePermission && permission.getName().equals("setSecurityManager")) {
            throw new SecurityException("the harness's SecurityManager cannot be replaced");
        }
    }

    @Override
    public void checkPermission(Permission permission, Object context) {
        checkPermission(permission);
    }

    /*
     * Files are permitted like everything else; said here without building the FilePermission
     * that SecurityManager would build for each open (the harness opens one per reply).
     */
    @Override
    public void checkRead(String file) {}

    @Override
    public void checkWrite(String file) {}
}
