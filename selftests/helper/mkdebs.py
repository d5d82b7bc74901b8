#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Malformed and hostile .deb files for the tests of apt-prepare
(selftests/helper/dpkg.sh, scripts/vm/debian/dpkg-tests.sh) and seeds of
the fuzz harness "deb" (fuzz/corpus/deb/):

    mkdebs.py DIR [--no-huge]

writes DIR/NAME.deb for each NAME below; "good" is a well-formed package
(xm-fixture 1.0, /usr/bin/xm-fixture and a postinst) the others derive from.
"""
import gzip
import io
import lzma
import os
import sys
import tarfile

SCRIPT = b"#!/bin/sh\necho xm-fixture\n"
CONTROL = (b"Package: xm-fixture\nVersion: 1.0\nArchitecture: all\n"
           b"Maintainer: execmark tests <t@example.org>\nDescription: fixture\n")


def tar(entries, comp="xz"):
    """entries: (name, bytes or None for a directory, {extra})."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data, extra in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                t.addfile(info)
                continue
            info.mode = extra.get("mode", 0o755)
            if "link" in extra:
                info.type = tarfile.LNKTYPE
                info.linkname = extra["link"]
                t.addfile(info)
                continue
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    if comp == "xz":
        # A small dictionary (preset 0, 256 KiB): cheap to decode, for the fuzzer.
        return lzma.compress(raw, format=lzma.FORMAT_XZ, preset=0)
    if comp == "gz":
        return gzip.compress(raw, mtime=0)
    return raw


def dir_headers(n):
    """n ustar headers of empty directories ./usr/dN/, written directly
    (tarfile takes a minute for 200,000 entries)."""
    out = []
    for i in range(n):
        h = bytearray(512)
        name = b"./usr/d%d/" % i
        h[0:len(name)] = name
        h[100:108] = b"0000755\0"
        h[108:116] = b"0000000\0"
        h[116:124] = b"0000000\0"
        h[124:136] = b"00000000000\0"
        h[136:148] = b"00000000000\0"
        h[156:157] = b"5"
        h[257:265] = b"ustar\x0000"
        h[148:156] = b"        "
        h[148:156] = b"%06o\0 " % sum(h)
        out.append(bytes(h))
    return b"".join(out)


def ar(members):
    out = [b"!<arch>\n"]
    for name, data in members:
        hdr = b"%-16s%-12d%-6d%-6d%-8s%-10d`\n" % (name.encode() + b"/", 0, 0, 0,
                                                   b"100644", len(data))
        out.append(hdr + data + (b"\n" if len(data) % 2 else b""))
    return b"".join(out)


def control(comp="xz", postinst=True, control=CONTROL):
    e = [("./", None, {}), ("./control", control, {"mode": 0o644})]
    if postinst:
        e.append(("./postinst", b"#!/bin/sh\nexit 0\n", {}))
    return tar(e, comp)


def data(files, comp="xz"):
    e = [("./", None, {}), ("./usr/", None, {}), ("./usr/bin/", None, {})]
    return tar(e + files, comp)


def deb(ctl, dat, ctl_name="control.tar.xz", dat_name="data.tar.xz", extra=()):
    return ar([("debian-binary", b"2.0\n"), (ctl_name, ctl), *extra, (dat_name, dat)])


def main():
    out = sys.argv[1]
    huge = "--no-huge" not in sys.argv
    os.makedirs(out, exist_ok=True)
    good_files = [("./usr/bin/xm-fixture", SCRIPT, {})]
    good = deb(control(), data(good_files))
    debs = {
        "good": good,
        "good-gz": deb(control("gz"), data(good_files, "gz"), "control.tar.gz",
                       "data.tar.gz"),
        "good-ignored-member": deb(control(), data(good_files),
                                   extra=[("_extra", b"ignored")]),
        "truncated": good[:len(good) - 100],
        "truncated-header": good[:70],
        "not-a-deb": b"#!/bin/sh\necho not a deb\n",
        "empty": b"",
        "wrong-compression": deb(control(), data(good_files, "gz")),
        "wrong-version": ar([("debian-binary", b"3.0\n"), ("control.tar.xz", control()),
                             ("data.tar.xz", data(good_files))]),
        "no-data": ar([("debian-binary", b"2.0\n"), ("control.tar.xz", control())]),
        "data-before-control": ar([("debian-binary", b"2.0\n"),
                                   ("data.tar.xz", data(good_files)),
                                   ("control.tar.xz", control())]),
        "path-traversal": deb(control(), data(
            good_files + [("./usr/../../etc/execmark-evil", SCRIPT, {})])),
        "absolute-traversal": deb(control(), data(
            good_files + [("/../etc/execmark-evil", SCRIPT, {})])),
        "hardlink-to-nothing": deb(control(), data(
            good_files + [("./usr/bin/xm-link", b"", {"link": "./usr/bin/absent"})])),
        "hardlink-traversal": deb(control(), data(
            good_files + [("./usr/bin/xm-link", b"", {"link": "../etc/shadow"})])),
        "duplicate-name": deb(control(), data(
            good_files + [("usr/bin/xm-fixture", b"#!/bin/sh\necho other\n", {})])),
        "no-control-file": deb(tar([("./postinst", b"#!/bin/sh\n", {})]), data(good_files)),
        "control-no-version": deb(control(control=b"Package: xm-fixture\n"
                                          b"Architecture: all\n"), data(good_files)),
        "control-subdir": deb(tar([("./control", CONTROL, {}),
                                   ("./sub/postinst", b"#!/bin/sh\n", {})]),
                              data(good_files)),
        "control-many": deb(tar([("./control", CONTROL, {})] +
                                [("./f%d" % i, b"", {}) for i in range(100)]),
                            data(good_files)),
    }
    if huge:
        # More entries than DEB_MAX_FILES (200000), a few MiB compressed.
        raw = tar([("./usr/bin/xm-fixture", SCRIPT, {})], comp=None)
        raw = raw.rstrip(b"\0")	# the end blocks; the file ends in "\n"
        body = raw + b"\0" * (-len(raw) % 512)
        huge_tar = body + dir_headers(200001) + b"\0" * 1024
        debs["huge-member-count"] = deb(control(), gzip.compress(huge_tar, 1, mtime=0),
                                        dat_name="data.tar.gz")
    for name, content in debs.items():
        with open(os.path.join(out, name + ".deb"), "wb") as f:
            f.write(content)


if __name__ == "__main__":
    main()
