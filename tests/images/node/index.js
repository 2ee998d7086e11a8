// A tiny app for careen's test image.
const debug = require("debug")("careen");
const ms = require("ms");
debug("started");
console.log(`one day is ${ms("1d")} ms`);
