// Package watch notices saved files under build contexts, for samship sync --watch: it polls
// each tree with a stat walk (size, modification time and mode of every path; nothing is
// read), so it needs no file-system notification API and runs the same everywhere, and it
// sends the changes in debounced batches naming the roots (functions) they affect.
//
// A root's Ignore leaves paths out (the caller passes .dockerignore's matcher and the build
// directory); an ignored directory is not entered. Roots sharing a directory are walked once.
// Watch is the poller; Manual is the test double for code that takes a Watcher.
package watch
