#!/bin/sh
# The container's entrypoint: starts Node on the harness (harness.js) with its heap sized to
# the container, and says so on stderr when Node dies for want of memory.
#
# The heap: three quarters of the container's memory limit (cgroup v2 memory.max, else v1
# memory.limit_in_bytes), so that a test that allocates too much meets V8's own limit before
# the kernel's OOM killer; no flag when the container has no limit.
limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null \
  || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null)
heap_mb=
case $limit in
  '' | *[!0-9]*) ;; # none, or v2's "max"
  ????????????????*) ;; # v1 writes "no limit" as a number near 2^63
  *) heap_mb=$((limit / 1048576 * 3 / 4)) ;;
esac

# V8 refuses a start-up snapshot taken with other flags, so the snapshot (Dockerfile) was
# taken with the heap size of the usual limit; under another limit Node loads harness.js
# itself, which takes about twice as long.
if [ -n "$heap_mb" ] && [ "$heap_mb" = "$(cat /opt/harness/harness.blob.heap-mb)" ]; then
  set -- "--max-old-space-size=$heap_mb" --snapshot-blob /opt/harness/harness.blob
elif [ -n "$heap_mb" ]; then
  set -- "--max-old-space-size=$heap_mb" /opt/harness/harness.js
else
  set -- /opt/harness/harness.js
fi

# Node has no dup2, so the shell sets up the descriptors the harness expects (harness.js):
# 3 the result channel (the original stdout), 4 the job (the original stdin), 5 the original
# stderr; stdin is /dev/null, and stdout and stderr append to the capture files. The shell
# stays (as the container's first process) to see how Node ends.
node "$@" 3>&1 4<&0 5>&2 </dev/null >>/tmp/.stdout 2>>/tmp/.stderr
status=$?

# Out of heap, V8 aborts with its last words on descriptor 2: the test's capture file, which
# the worker never sees. Repeat them where it does, as it does when the kernel's OOM killer
# (counted in the cgroup) ended Node.
if [ "$status" -gt 128 ]; then
  if tail -c 4096 /tmp/.stderr 2>/dev/null | grep -q 'JavaScript heap out of memory'; then
    echo 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' >&2
  elif cat /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null \
      | grep -q '^oom_kill [1-9]'; then
    echo 'Killed: out of memory (the container reached its memory limit)' >&2
  fi
fi
exit "$status"
