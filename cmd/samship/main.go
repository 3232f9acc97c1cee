// Command samship deploys AWS SAM applications of container-image functions.
package main

import (
	"os"

	"github.com/samship/samship/internal/cli"
)

func main() { os.Exit(cli.Main()) }
