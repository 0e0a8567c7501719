package attest

import (
	"fmt"

	"github.com/fogchain/fog/x/tee/simtee"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// simulated signs reports with a simulated device; its measurement is SHA-384 of the program.
type simulated struct {
	dev         *simtee.Device
	measurement []byte
}

// NewSimulated reads the device file written by `fogd tee sim-device` and measures program (the
// worker passes its own executable, so the chain's allowlist names approved fogd builds).
func NewSimulated(devicePath, program string) (Backend, error) {
	dev, err := simtee.LoadDevice(devicePath)
	if err != nil {
		return nil, fmt.Errorf("tee.simulated_device: %w", err)
	}
	m, err := simtee.Measurement(program)
	if err != nil {
		return nil, fmt.Errorf("measuring %s: %w", program, err)
	}
	return &simulated{dev: dev, measurement: m}, nil
}

func (s *simulated) Type() teetypes.TeeType { return teetypes.TeeTypeSimulated }
func (s *simulated) Measurement() []byte    { return s.measurement }

func (s *simulated) Evidence(reportData []byte) ([]byte, error) {
	return s.dev.Evidence(s.measurement, reportData, false)
}
