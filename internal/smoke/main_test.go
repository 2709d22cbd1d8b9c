package smoke
import (
  "testing"
  G "gorgonia.org/gorgonia"
  "gorgonia.org/tensor"
)
func TestSmoke(t *testing.T){
  g := G.NewGraph()
  x := G.NewMatrix(g, tensor.Float64, G.WithShape(2,3), G.WithName("x"), G.WithInit(G.GlorotU(1)))
  w := G.NewMatrix(g, tensor.Float64, G.WithShape(3,1), G.WithName("w"), G.WithInit(G.GlorotU(1)))
  y := G.Must(G.Mul(x,w))
  l := G.Must(G.Sum(y))
  gr, err := G.Grad(l, w)
  if err!=nil {t.Fatal(err)}
  m := G.NewTapeMachine(g, G.BindDualValues(w))
  if err := m.RunAll(); err!=nil {t.Fatal(err)}
  t.Log(l.Value(), gr[0].Value())
}
