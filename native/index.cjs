// The compiled addon; throws (module not found) when the install-time build did not produce it.
const { join } = require("node:path");
module.exports = require(join(__dirname, "build", "Release", "integral_lab_native.node"));
