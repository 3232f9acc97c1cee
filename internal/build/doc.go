// Package build builds the images of a template's image functions from their Dockerfiles
// without a container engine, as ko and Jib do for Go and Java: the base image from its
// registry (through internal/baseimage's cache), each COPY and ADD laid on as a reproducible
// layer, pip and npm installs run on this machine for the function's platform
// (internal/depinstall), the configuration instructions applied; the image is written as an
// OCI layout in the build directory and the built template names it. A Dockerfile it cannot
// build alone is built by the engine when one is reachable (--engine), and the run says so.
package build
