package registry

import "os"

// lock holds f open for the run's life: Windows does not remove a file that is open.
func lock(*os.File) error { return nil }

// unlocked reports whether no live process holds the file at path open: then it can be
// removed.
func unlocked(path string) bool { return os.Remove(path) == nil }

// fileKey names the file by its path on Windows.
func fileKey(_ os.FileInfo, path string) string { return path }
