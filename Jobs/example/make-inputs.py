#!/usr/bin/env python3
"""Builds the example job's documents from the Python documentation that ships with CPython (pydoc_data, under
the PSF License; see README.md): a multi-page PDF of "The import system" and a DocBook XML article of
"Execution model". Standard library only; the PDF is written by hand (Helvetica, uncompressed streams).

    python3 Jobs/example/make-inputs.py Jobs/example/inputs
"""
import os
import sys
import textwrap
import pydoc_data.topics as topics
from xml.sax.saxutils import escape

UNDERLINES = set("*=-~^")


def blocks(text):
    """(kind, text) pairs: ('h1'|'h2', heading), ('p', paragraph), ('code', block)."""
    lines = text.replace("\r", "").split("\n")
    out, para, i = [], [], 0

    def flush():
        if para:
            joined = " ".join(l.strip() for l in para)
            kind = "code" if para[0].startswith("   ") and not para[0].startswith("   *") else "p"
            out.append((kind, "\n".join(l.rstrip() for l in para) if kind == "code" else joined))
            para.clear()

    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and nxt.strip() and set(nxt.strip()) <= UNDERLINES and len(nxt.strip()) >= len(line.strip()):
            flush()
            mark = nxt.strip()[0]
            # '*' underlines the topic's title (the document's own title, given separately), '=' a section.
            if mark != "*":
                out.append(("h1" if mark == "=" else "h2", line.strip()))
            i += 2
            continue
        if not line.strip():
            flush()
        else:
            para.append(line)
        i += 1
    flush()
    return out


def ascii(s):
    table = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "--", "\u2026": "..."}
    return "".join(table.get(c, c) if ord(c) < 256 or c in table else "?" for c in s)


def write_pdf(path, title, items):
    """Letter pages, 1-inch margins; title 18 pt bold, headings 14/12 pt bold, body 10.5 pt, code 9 pt Courier."""
    pages, lines, y = [], [], 720.0

    def new_page():
        nonlocal lines, y
        if lines:
            pages.append(lines)
        lines, y = [], 720.0

    def emit(font, size, text, gap):
        nonlocal y
        if y - gap < 72:
            new_page()
        y -= gap
        lines.append((font, size, 72, y, text))

    emit("F2", 18, ascii(title), 18)
    y -= 10
    for kind, text in items:
        if kind in ("h1", "h2"):
            y -= 8
            emit("F2", 14 if kind == "h1" else 12, ascii(text), 18)
            y -= 4
        elif kind == "code":
            for raw in text.split("\n"):
                emit("F3", 9, ascii(raw.rstrip()), 11)
            y -= 6
        else:
            for piece in textwrap.wrap(ascii(text), 92):
                emit("F1", 10.5, piece, 13)
            y -= 6
    new_page()

    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    catalog = add(None)
    pages_id = add(None)
    fonts = [add(f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>")
             for name in ("Helvetica", "Helvetica-Bold", "Courier")]
    kids = []
    for number, page in enumerate(pages, 1):
        ops = []
        for font, size, x, yy, text in page:
            esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /{font} {size} Tf {x} {yy:.1f} Td ({esc}) Tj ET")
        ops.append(f"BT /F1 9 Tf 300 40 Td ({number}) Tj ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
                        f"/Resources << /Font << /F1 {fonts[0]} 0 R /F2 {fonts[1]} 0 R /F3 {fonts[2]} 0 R >> >> >>"))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>"
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    info = add(f"<< /Title ({ascii(title)}) /Author (Python Software Foundation) >>")

    data = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(data))
        body = body if isinstance(body, bytes) else body.encode("latin-1")
        data += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        data += b"%010d 00000 n \n" % off
    data += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, catalog, info, xref)
    with open(path, "wb") as f:
        f.write(data)
    return len(pages)


def write_docbook(path, title, items):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<article xmlns="http://docbook.org/ns/docbook" version="5.0">',
           f"  <info><title>{escape(title)}</title><author><orgname>Python Software Foundation</orgname></author></info>"]
    depth = 0
    for kind, text in items:
        if kind in ("h1", "h2"):
            level = 1 if kind == "h1" else 2
            while depth >= level:
                out.append("  " * depth + "</section>")
                depth -= 1
            while depth < level:
                depth += 1
                out.append("  " * depth + "<section>" + (f"<title>{escape(text)}</title>" if depth == level else ""))
        elif kind == "code":
            out.append("  " * (depth + 1) + f"<programlisting>{escape(text)}</programlisting>")
        else:
            out.append("  " * (depth + 1) + f"<para>{escape(text)}</para>")
    while depth > 0:
        out.append("  " * depth + "</section>")
        depth -= 1
    out.append("</article>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "inputs")
    os.makedirs(target, exist_ok=True)
    imp = blocks(topics.topics["import"])
    pages = write_pdf(os.path.join(target, "import-system.pdf"), "The import system", imp)
    ex = blocks(topics.topics["execmodel"])
    write_docbook(os.path.join(target, "execution-model.xml"), "Execution model", ex)
    print(f"wrote import-system.pdf ({pages} pages) and execution-model.xml to {target}")


if __name__ == "__main__":
    main()
