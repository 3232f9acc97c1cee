package prompt

import (
	"io"
	"os"
)

func ioPipe() (io.Reader, *os.File) {
	r, w, _ := os.Pipe()
	return r, w
}
