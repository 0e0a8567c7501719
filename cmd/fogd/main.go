// Command fogd is the fog chain's one binary: node, CLI, (later) worker and client.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/fogchain/fog/app"
	"github.com/fogchain/fog/cmd/fogd/cmd"
)

func main() {
	if err := svrcmd.Execute(cmd.NewRootCmd(), "FOGD", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
