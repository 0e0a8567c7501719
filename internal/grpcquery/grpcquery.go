// Package grpcquery holds the errors every fog module's query server answers with the same way: a nil
// request, and a store read that failed.
package grpcquery

import (
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrNilRequest is the answer to a nil request.
var ErrNilRequest = status.Error(codes.InvalidArgument, "empty request")

// NotFound is the answer to a failed read of what: NotFound if the store has no such entry,
// Internal for any other error.
func NotFound(err error, what string) error {
	if errors.Is(err, collections.ErrNotFound) {
		return status.Errorf(codes.NotFound, "%s not found", what)
	}
	return status.Error(codes.Internal, err.Error())
}
