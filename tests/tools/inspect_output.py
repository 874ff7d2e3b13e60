#!/usr/bin/env python3
"""Reads hearth's machine outputs with standard parsers and prints what they say as
JSON, for the Rust tests to check.

    inspect_output.py feed FILE        feedparser's view of an Atom or RSS feed
    inspect_output.py sitemap FILE     the <loc>/<lastmod> pairs (ElementTree)
    inspect_output.py jsonld FILE...   every JSON-LD block of each HTML page
"""
import json
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser


def feed(path):
    import feedparser

    d = feedparser.parse(path)
    print(json.dumps({
        "bozo": bool(d.bozo),
        "bozo_exception": str(d.get("bozo_exception", "")),
        "version": d.version,
        "title": d.feed.get("title"),
        "link": d.feed.get("link"),
        "updated": d.feed.get("updated"),
        "entries": [{
            "title": e.get("title"),
            "link": e.get("link"),
            "id": e.get("id"),
            "published": e.get("published"),
            "updated": e.get("updated"),
            "authors": [a.get("name") for a in e.get("authors", [])],
            "tags": [t.get("term") for t in e.get("tags", [])],
            "summary": e.get("summary"),
            "content": [c.get("value") for c in e.get("content", [])],
        } for e in d.entries],
    }))


def sitemap(path):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(path).getroot()
    print(json.dumps([{
        "loc": url.findtext("s:loc", namespaces=ns),
        "lastmod": url.findtext("s:lastmod", namespaces=ns),
    } for url in root.findall("s:url", ns)]))


class LdJson(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self._inside = [], False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def jsonld(paths):
    out = {}
    for path in paths:
        parser = LdJson()
        with open(path, encoding="utf-8") as f:
            parser.feed(f.read())
        out[path] = [json.loads(b) for b in parser.blocks]
    print(json.dumps(out))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"feed": lambda: feed(args[0]), "sitemap": lambda: sitemap(args[0]), "jsonld": lambda: jsonld(args)}[command]()
