package task_test

import (
	"context"
	"crypto/ed25519"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
)

// A task's answer, and so its receipt, reaches the customer only once the receipt is synced to disk:
// while the sync is held, the customer has no answer; once it completes, the answer comes.
func TestReceiptIsSyncedBeforeTheAnswer(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	task.HookSync(e.receipts, func(sync func() error) error {
		once.Do(func() {
			close(entered)
			<-release
		})
		return sync()
	})

	answered := make(chan error, 1)
	go func() {
		_, err := e.send(1, echo, []byte("durable"), e.owner)
		answered <- err
	}()
	<-entered // the receipt is written and its sync has begun
	select {
	case err := <-answered:
		t.Fatalf("the customer got an answer (%v) before its receipt was synced", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-answered)
}

// Tasks run concurrently all end with their receipts in the log, each the one its customer got, and
// the log read back after a reopen holds them all with valid signatures.
func TestConcurrentTasksReceiptsSurviveReopen(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	const tasks = 24
	got := make([]*wire.TaskResponse, tasks)
	errs := make([]error, tasks)
	var wg sync.WaitGroup
	for i := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			got[i], errs[i] = task.Send(ctx, e.client, e.info,
				task.Task{ChainID: chainID, LeaseID: 1, Seq: uint64(100 + i), Module: echo, Input: []byte{byte(i)}}, e.owner)
		}()
	}
	wg.Wait()
	for i := range tasks {
		require.NoError(t, errs[i], "task %d", i)
	}
	require.NoError(t, e.receipts.Close())

	reopened, err := task.OpenReceiptStore(e.receiptsDir)
	require.NoError(t, err)
	defer reopened.Close()
	require.Len(t, reopened.Keys(), tasks)
	for i, resp := range got {
		stored, err := reopened.Get(1, uint64(100+i))
		require.NoError(t, err)
		require.Equal(t, *resp.Receipt, stored, "task %d", i)
		bz, err := stored.Receipt.Marshal()
		require.NoError(t, err)
		require.True(t, ed25519.Verify(e.key.Public().(ed25519.PublicKey), bz, stored.Signature), "task %d", i)
		require.Equal(t, wire.Hash([]byte{byte(i)}), stored.Receipt.InputHash)
	}
}
