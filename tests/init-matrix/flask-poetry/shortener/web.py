"""A tiny URL shortener: the poetry project of careen's init matrix."""
import secrets

from flask import Flask, abort, redirect, request

app = Flask(__name__)
LINKS: dict[str, str] = {}


@app.get("/")
def index():
    return {"links": len(LINKS)}


@app.post("/links")
def create():
    code = secrets.token_urlsafe(4)
    LINKS[code] = request.get_json()["url"]
    return {"code": code}, 201


@app.get("/<code>")
def follow(code: str):
    if code not in LINKS:
        abort(404)
    return redirect(LINKS[code])
