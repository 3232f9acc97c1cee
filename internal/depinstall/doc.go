// Package depinstall runs the Dockerfile RUNs that samship builds without a container
// engine: pip and npm dependency installs, run by the tools on this machine with the flags
// that make them fetch for the Lambda function's platform (linux, amd64 or arm64, the
// image's Python version), into a directory that becomes one reproducible image layer.
//
// Recognize accepts only the installs it can run exactly as the image would; any other RUN
// (and any shell syntax beyond words, quotes and known variables) is refused, and the
// builder falls back to an engine.
//
// What the installs write is made reproducible: files are 0644 (0755 when executable),
// directories 0755; pip runs with --no-compile and any *.pyc and __pycache__ left are
// removed; console scripts that name this machine's Python in their #! line name the image's
// (/var/lang/bin/pythonX.Y, where AWS's base images keep it); a wheel's direct_url.json
// naming a file: URL is dropped, since it names this machine's scratch directory (pip
// freeze then lists the distribution by name and version, which is what it is). pip's
// RECORD and INSTALLER files are kept: they are the same for the same wheels.
package depinstall
