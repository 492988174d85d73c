#!/bin/sh
# The image's command: starts Node on the harness (harness.js), its heap sized to the
# sandbox's memory, with the descriptors the harness expects. Node replaces the shell (exec),
# so it is the process the supervisor started and the one that lives for the whole job.
#
# The heap: the whole memory limit (SANDBOX_MEMORY_BYTES, from the supervisor), so that a test
# that allocates too much fills the container before V8's own limit and the kernel's OOM
# killer ends Node, which the supervisor counts; no flag when there is no limit.
heap_mb=
case ${SANDBOX_MEMORY_BYTES-} in
  '' | *[!0-9]*) ;;
  *) heap_mb=$((SANDBOX_MEMORY_BYTES / 1048576)) ;;
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
# 4 the control pipe (descriptor 0 as the supervisor gave it), 5 the harness's own stderr;
# stdin is /dev/null, and stdout and stderr append to the capture files.
exec node "$@" 4<&0 5>&2 </dev/null >>/tmp/.stdout 2>>/tmp/.stderr
