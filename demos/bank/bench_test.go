package bank

import "testing"

// BenchmarkBankAccount_Deposit is one process depositing under the lock:
// the floor of the simulation's locked mode.
func BenchmarkBankAccount_Deposit(b *testing.B) {
	a, err := NewBankAccount(0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Deposit(10); err != nil {
			b.Fatal(err)
		}
	}
}
