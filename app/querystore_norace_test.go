//go:build !race

package app

// raceDetector says whether the tests run under the race detector (go test -race).
const raceDetector = false
