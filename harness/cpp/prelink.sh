#!/bin/sh
# prelink.sh OUTPUT REFERENCE OBJECT...
#
# Run when the image is built. Test programs are linked statically (a static program starts
# in less than half the time of one that loads libstdc++.so), but a static link is slow: the
# linker takes hundreds of members out of libc.a and libstdc++.a, thousands of sections, and
# lays out each. This does that once: it links REFERENCE (a source file) with the OBJECTs as
# the driver links a submission, notes the library members the linker took, and joins the
# OBJECTs and those members into OUTPUT, one relocatable object with a few dozen sections,
# which a submission is then linked with as fast as it was linked with libstdc++.so. What a
# submission needs beyond it still comes from the libraries as usual.
#
# OUTPUT's definitions are all weak, so that a submission's own (a replacement operator new,
# ...) take precedence, as they did over libstdc++.so. Its COMDAT groups (template
# instances) are dissolved into the joined sections: where a submission instantiates the
# same template, the linker keeps the first definition, the submission's, and OUTPUT's copy
# stays unused. ld.bfd joins the objects: ld.gold's -r output links into programs that crash.
set -eu
output=$1
reference=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

g++ -std=c++20 -O2 -static -fuse-ld=gold -Wl,--trace -o "$work/reference" "$reference" "$@" >"$work/trace"
# --trace names each member taken as ARCHIVE(MEMBER); each archive is unpacked in a
# directory of its own, as members of different archives may share a name.
members=
for archive in $(sed -n 's/^\(.*\.a\)(.*)$/\1/p' "$work/trace" | sort -u); do
    directory="$work/$(echo "$archive" | tr / _)"
    mkdir "$directory"
    names=$(grep -F "$archive(" "$work/trace" | sed 's/^.*(\(.*\))$/\1/')
    (cd "$directory" && ar x "$archive" $names)
    for name in $names; do members="$members $directory/$name"; done
done
# Sections of one kind are joined; the others (TLS, constructors by priority, libc's own
# named sections) keep their names, as the final link needs them apart.
cat >"$work/join.ld" <<'EOF'
SECTIONS
{
  .text 0 : { *(.text .text.*) }
  .rodata 0 : { *(.rodata .rodata.*) }
  .data.rel.ro 0 : { *(.data.rel.ro.local .data.rel.ro.local.* .data.rel.ro .data.rel.ro.*) }
  .data 0 : { *(.data .data.*) }
  .bss 0 : { *(.bss .bss.*) }
  .gcc_except_table 0 : { *(.gcc_except_table .gcc_except_table.*) }
}
EOF
ld.bfd -r --force-group-allocation -T "$work/join.ld" -o "$output" "$@" $members
# Its definitions only: a reference it makes (to what crt1.o defines, ...) stays strong.
nm --defined-only --extern-only --format=posix "$output" | cut -d' ' -f1 >"$work/defined"
objcopy --weaken-symbols="$work/defined" "$output"
