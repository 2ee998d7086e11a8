"""A greeter: the pipenv project of careen's init matrix."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return {"hello": "world"}
