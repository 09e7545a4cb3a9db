package server

import (
	"crypto/tls"
	"fmt"
)

// LoadTLS reads the certificate and key of serve.tls_cert and
// serve.tls_key (PEM files; the certificate file may hold the chain). Both
// or neither must be given; neither is nil (no TLS).
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "":
		return nil, fmt.Errorf("serve.tls_key is set without serve.tls_cert: both are needed for TLS")
	case keyFile == "":
		return nil, fmt.Errorf("serve.tls_cert is set without serve.tls_key: both are needed for TLS")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("reading serve.tls_cert %s and serve.tls_key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
