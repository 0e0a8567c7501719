package bidengine

import (
	"fmt"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// CostModel prices an order per block from the resources it asks for, plus a margin.
type CostModel struct {
	Denom        string `toml:"denom"`
	BasePerBlock string `toml:"base_per_block"`  // fixed cost per block
	PerMilliCPU  string `toml:"per_millicpu"`    // per milli-CPU per block
	PerMiBMemory string `toml:"per_mib_memory"`  // per MiB of memory per block
	PerMiBDisk   string `toml:"per_mib_storage"` // per MiB of storage per block
	PerGPU       string `toml:"per_gpu"`         // per GPU per block
	Margin       string `toml:"margin"`          // multiplier over cost, e.g. 1.2
}

type parsedModel struct {
	denom                             string
	base, cpu, mem, disk, gpu, margin math.LegacyDec
}

func (m CostModel) parse() (parsedModel, error) {
	p := parsedModel{denom: m.Denom}
	if err := sdk.ValidateDenom(m.Denom); err != nil {
		return p, fmt.Errorf("cost model denom: %w", err)
	}
	for _, f := range []struct {
		name string
		in   string
		out  *math.LegacyDec
	}{
		{"base_per_block", m.BasePerBlock, &p.base}, {"per_millicpu", m.PerMilliCPU, &p.cpu},
		{"per_mib_memory", m.PerMiBMemory, &p.mem}, {"per_mib_storage", m.PerMiBDisk, &p.disk},
		{"per_gpu", m.PerGPU, &p.gpu}, {"margin", m.Margin, &p.margin},
	} {
		in := f.in
		if in == "" {
			in = "0"
		}
		d, err := math.LegacyNewDecFromStr(in)
		if err != nil || d.IsNegative() {
			return p, fmt.Errorf("cost model %s: %q is not a non-negative decimal", f.name, f.in)
		}
		*f.out = d
	}
	if !p.margin.IsPositive() {
		return p, fmt.Errorf("cost model margin must be positive")
	}
	return p, nil
}

// Validate checks the model.
func (m CostModel) Validate() error {
	_, err := m.parse()
	return err
}

// Price is the price per block the model asks for r, rounded up, at least 1.
func (m CostModel) Price(r markettypes.Resources) (sdk.Coin, error) {
	p, err := m.parse()
	if err != nil {
		return sdk.Coin{}, err
	}
	cost := p.base.
		Add(p.cpu.MulInt64(int64(r.CpuMillicores))).
		Add(p.mem.MulInt64(int64(r.MemoryMib))).
		Add(p.disk.MulInt64(int64(r.StorageMib))).
		Add(p.gpu.MulInt64(int64(r.Gpus))).
		Mul(p.margin)
	amount := cost.Ceil().TruncateInt()
	if amount.IsZero() {
		amount = math.OneInt()
	}
	return sdk.NewCoin(p.denom, amount), nil
}
