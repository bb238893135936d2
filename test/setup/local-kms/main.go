// Command local-kms-loopback serves local-kms (github.com/nsmithuk/local-kms, pinned in
// go.mod) on 127.0.0.1 only.
//
// Why not local-kms's own main: it listens on ":"+PORT, every interface, and the
// project's rule is that servers started by tests bind loopback only. This is the same
// server (local-kms's exported HandleRequest over its own leveldb store), bound to
// 127.0.0.1 on the port given by PORT (0 = any free port). Once listening it prints
// exactly one line, "listening on 127.0.0.1:<port>", on stdout, which the vitest global
// setup reads. KMS_ACCOUNT_ID, KMS_REGION and KMS_DATA_PATH work as in local-kms.
// Seeding is not wired: the suites create their keys through the KMS API.
package main

import (
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"

	lkms "github.com/nsmithuk/local-kms/src"
	"github.com/nsmithuk/local-kms/src/config"
	"github.com/nsmithuk/local-kms/src/data"
)

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	config.AWSAccountId = env("KMS_ACCOUNT_ID", "111122223333")
	config.AWSRegion = env("KMS_REGION", "eu-west-2")
	dataPath, err := filepath.Abs(env("KMS_DATA_PATH", "/tmp/local-kms"))
	if err != nil {
		log.Fatal(err)
	}
	config.DatabasePath = dataPath

	database := data.NewDatabase(config.DatabasePath)
	defer database.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:"+env("PORT", "0"))
	if err != nil {
		log.Fatal("listen: ", err)
	}
	fmt.Printf("listening on %s\n", ln.Addr().String())

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lkms.HandleRequest(w, r, database)
	})
	if err := http.Serve(ln, handler); err != nil {
		log.Fatal("serve: ", err)
	}
}
