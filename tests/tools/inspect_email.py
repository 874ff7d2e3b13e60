#!/usr/bin/env python3
"""Reads .eml files with Python's standard email parser and prints what it sees as
JSON, for the Rust tests to check. Standard library only.

    inspect_email.py FILE...

Prints one JSON object mapping each FILE (as given) to:

    headers       every header, name -> decoded value; a name that occurs more than
                  once maps to the list of its values, in order
    content_type  the top-level content type, e.g. "multipart/alternative"
    is_multipart  bool
    parts         every non-multipart part: {content_type, charset, text} (text is the
                  decoded body of text/* parts, null for others)
    text          the first text/plain part that is not an attachment, decoded (null
                  if none)
    html          the first text/html part that is not an attachment, decoded (null
                  if none)
    links         every href and src value in the HTML, in document order
    text_links    every http(s) URL in the text part
    defects       str() of every defect the parser recorded on the message or a part
"""
import email.policy
import json
import re
import sys
from email.parser import BytesParser
from html.parser import HTMLParser


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)

    handle_startendtag = handle_starttag


URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")


def text_links(text):
    # Sentence punctuation right after a URL is not part of it.
    return [m.group(0).rstrip(".,;:!?") for m in URL.finditer(text)]


def header_value(value):
    try:
        return str(value)
    except Exception as error:  # a header the policy cannot render
        return f"<unreadable header: {error}>"


def part_text(part):
    if part.get_content_maintype() != "text":
        return None
    try:
        return part.get_content()
    except Exception as error:  # bad charset or transfer encoding
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace") + f"\n<decode error: {error}>"


def inspect(path):
    with open(path, "rb") as f:
        msg = BytesParser(policy=email.policy.default).parse(f)

    headers = {}
    for name, value in msg.items():
        value = header_value(value)
        if name in headers:
            if not isinstance(headers[name], list):
                headers[name] = [headers[name]]
            headers[name].append(value)
        else:
            headers[name] = value

    parts = []
    defects = [str(d) for d in msg.defects]
    text = html = None
    for part in msg.walk():
        if part is not msg:
            defects.extend(str(d) for d in part.defects)
        if part.is_multipart():
            continue
        body = part_text(part)
        ctype = part.get_content_type()
        parts.append({
            "content_type": ctype,
            "charset": part.get_content_charset(),
            "text": body,
        })
        if body is None or part.get_content_disposition() == "attachment":
            continue
        if ctype == "text/plain" and text is None:
            text = body
        elif ctype == "text/html" and html is None:
            html = body

    links = []
    if html is not None:
        parser = LinkParser()
        parser.feed(html)
        parser.close()
        links = parser.links

    return {
        "headers": headers,
        "content_type": msg.get_content_type(),
        "is_multipart": msg.is_multipart(),
        "parts": parts,
        "text": text,
        "html": html,
        "links": links,
        "text_links": text_links(text) if text is not None else [],
        "defects": defects,
    }


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    print(json.dumps({path: inspect(path) for path in argv}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
