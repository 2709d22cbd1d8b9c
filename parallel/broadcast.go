package parallel

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/safetensors"
)

// Broadcast makes rank 0's state the state of every rank, as Horovod's
// broadcast_parameters and broadcast_optimizer_state do: rank 0 encodes its
// master parameters and buffers and opt's state (may be nil) as one
// safetensors blob, every other rank loads it into its master model and
// its optimizer, and every replica takes the master's state. Call it once
// at the start and after loading a checkpoint on rank 0 (resume).
func (g *Group) Broadcast(opt optimizers.Optimizer) (err error) {
	defer panics.Recover(&err, "parallel: broadcast")
	if g.comm.Size() > 1 {
		if err := g.broadcastFromRoot(opt); err != nil {
			return err
		}
	}
	return g.copyMasterState("broadcast to replica")
}

func (g *Group) broadcastFromRoot(opt optimizers.Optimizer) error {
	var blob []byte
	if g.comm.Rank() == 0 {
		var err error
		if blob, err = encodeState(g.master, opt); err != nil {
			return err
		}
	}
	var size [8]byte
	binary.LittleEndian.PutUint64(size[:], uint64(len(blob)))
	if err := g.comm.Broadcast(size[:], 0); err != nil {
		return errors.Wrap(err, "parallel: broadcast of the state's size")
	}
	if g.comm.Rank() != 0 {
		blob = make([]byte, binary.LittleEndian.Uint64(size[:]))
	}
	if err := g.comm.Broadcast(blob, 0); err != nil {
		return errors.Wrap(err, "parallel: broadcast of the state")
	}
	if g.comm.Rank() == 0 {
		return nil
	}
	return decodeState(blob, g.master, opt)
}

// encodeState encodes m's state dict and opt's state (under
// models.OptimizerPrefix) as safetensors.
func encodeState(m *models.Model, opt optimizers.Optimizer) ([]byte, error) {
	tensors := make(map[string]*tensor.Dense)
	for _, e := range m.StateDict() {
		tensors[e.Name] = e.Tensor
	}
	if opt != nil {
		for k, v := range opt.State() {
			tensors[models.OptimizerPrefix+k] = v
		}
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, tensors, nil); err != nil {
		return nil, errors.Wrap(err, "parallel: encoding rank 0's state")
	}
	return b.Bytes(), nil
}

// decodeState loads a blob of encodeState into m and opt.
func decodeState(blob []byte, m *models.Model, opt optimizers.Optimizer) error {
	f, err := safetensors.Decode(blob)
	if err != nil {
		return errors.Wrap(err, "parallel: decoding rank 0's state")
	}
	state, optState := map[string]*tensor.Dense{}, map[string]*tensor.Dense{}
	for k, v := range f.Tensors {
		if rest, ok := strings.CutPrefix(k, models.OptimizerPrefix); ok {
			optState[rest] = v
		} else {
			state[k] = v
		}
	}
	if err := m.LoadStateDict(state); err != nil {
		return errors.Wrap(err, "parallel: loading rank 0's parameters")
	}
	if opt != nil {
		return errors.Wrap(opt.LoadState(optState), "parallel: loading rank 0's optimizer state")
	}
	return nil
}
