// Command localaws runs the local AWS in the foreground for trying samship by hand on one's
// own SAM project, with no AWS account: moto with the SAM transform, a registry that is one
// store with its ECR, and a Docker engine when dockerd starts here. It prints the environment
// to export in another shell; Ctrl-C stops it all. Run it with `make local-aws`.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/samship/samship/internal/testenv"
)

func main() {
	l, err := testenv.StartLocalAWS(true)
	if err != nil {
		fmt.Fprintln(os.Stderr, "local-aws:", err)
		os.Exit(1)
	}
	defer l.Stop()
	fmt.Println("Local AWS on 127.0.0.1 (nothing here reaches AWS). In another shell:")
	fmt.Println()
	for _, e := range l.Exports() {
		fmt.Println("  " + e)
	}
	fmt.Println()
	if l.Engine != nil {
		fmt.Println("Docker engine at", l.Engine.Host, "(DOCKER_HOST above): build your images there, e.g.")
		fmt.Println("  docker build -t helloworldfunction:python3.12-v1 hello_world   # FROM scratch: nothing can be pulled")
	} else {
		fmt.Println("No Docker engine started here (" + l.EngineErr.Error() + "); use your own engine's DOCKER_HOST, or OCI layouts.")
	}
	fmt.Println("then, in your SAM project:  samship deploy --guided")
	fmt.Println()
	fmt.Println("Ctrl-C stops it all.")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	fmt.Println("\nstopping")
}
