package grpcquery_test

import (
	"errors"
	"fmt"
	"testing"

	"cosmossdk.io/collections"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/fogchain/fog/internal/grpcquery"
)

func TestNotFound(t *testing.T) {
	err := grpcquery.NotFound(fmt.Errorf("reading: %w", collections.ErrNotFound), "batch")
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Equal(t, "batch not found", status.Convert(err).Message())
	require.Equal(t, codes.Internal, status.Code(grpcquery.NotFound(errors.New("disk"), "batch")))
	require.Equal(t, codes.InvalidArgument, status.Code(grpcquery.ErrNilRequest))
}
