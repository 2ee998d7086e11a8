"""A tiny app for careen's test image: prints the versions it was built with."""
import requests
import six
import yaml

print(yaml.safe_dump({"requests": requests.__version__, "six": six.__version__}))
