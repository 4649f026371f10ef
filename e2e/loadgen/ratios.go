package main

import "fmt"

// ratios reads the scenarios against this run's baselines, as PERFORMANCE.md sets the targets.
func ratios(b Baselines, scenarios []*Scenario) [][3]string {
	save, get := b.capacityOf(baseSaveHTTP), b.capacityOf(baseGetHTTP)
	var out [][3]string
	add := func(name, value, target string) { out = append(out, [3]string{name, value, target}) }
	for _, s := range scenarios {
		k := Knee(s.Steps)
		ops, requests := s.OpsPerRequest()
		var n float64
		for _, o := range ops {
			n += o.N()
		}
		if requests > 0 {
			n /= float64(requests)
		}
		peak := 0.0
		for _, st := range s.Steps {
			peak = max(peak, st.Achieved)
		}
		if k < 0 {
			add(s.Name+": knee", fmt.Sprintf("none (no step sustained); the most any step achieved: %.0f/s", peak), "-")
			if s.Name == "lifecycle" && save.Rate > 0 {
				add("lifecycle: paid orders/s, most achieved (overloaded) / raw save/s", fmt.Sprintf("%.3f (%.0f/s of %.0f/s)", peak/save.Rate, peak, save.Rate), "direction >= 700 orders/s")
			}
			if s.Name == "flashsale" && save.Rate > 0 {
				add("flash sale: attempts/s, most achieved (overloaded) / raw save/s", fmt.Sprintf("%.2f (%.0f/s of %.0f/s)", peak/save.Rate, peak, save.Rate), ">= 0.3; direction >= 3,000 attempts/s")
			}
			continue
		}
		knee := s.Steps[k]
		switch s.Name {
		case "checkout":
			add("checkout: N, sidecar operations per checkout", fmt.Sprintf("%.2f", n), "<= 6")
			if n > 0 && save.Rate > 0 {
				bound := save.Rate / n
				add("checkout: knee / (raw save/s / N)", fmt.Sprintf("%.2f (%.0f/s of %.0f/s / %.2f = %.0f/s)", knee.Achieved/bound, knee.Achieved, save.Rate, n, bound), ">= 0.6; direction >= 1,000 orders/s")
			}
			// The same ratio for the checkout's calls alone (no service behind them): the most the
			// one above could be with these calls, and how far the services are from their calls.
			if calls := b.capacityOf(baseCalls); calls.Rate > 0 && save.Rate > 0 {
				add("checkout's calls alone, closed loop: x their N / raw save/s; the knee / their rate",
					fmt.Sprintf("%.2f; %.2f (%.0f/s x %d / %.0f/s; knee %.0f/s)", calls.Rate*checkoutCallsN/save.Rate, knee.Achieved/calls.Rate,
						calls.Rate, checkoutCallsN, save.Rate, knee.Achieved), "-")
			}
		case "flashsale":
			if save.Rate > 0 {
				add("flash sale: attempts/s at the knee / raw save/s", fmt.Sprintf("%.2f (%.0f/s of %.0f/s; the most any step achieved, overloaded: %.0f/s, %.2f)",
					knee.Achieved/save.Rate, knee.Achieved, save.Rate, peak, peak/save.Rate), ">= 0.3; direction >= 3,000 attempts/s")
			}
			add("flash sale: N, sidecar operations per attempt", fmt.Sprintf("%.2f", n), "-")
		case "browse":
			if get.Rate > 0 {
				add("browse: knee / raw get/s", fmt.Sprintf("%.2f (%.0f/s of %.0f/s)", knee.Achieved/get.Rate, knee.Achieved, get.Rate), ">= 0.8")
			}
			if get.Latency.P99 > 0 {
				add("browse: p99 at the knee / raw get p99", fmt.Sprintf("%.2f (%s of %s)", float64(knee.Latency.P99)/float64(get.Latency.P99), ms(knee.Latency.P99), ms(get.Latency.P99)), "<= 1.5")
			}
			if cl, hop := s.Closed, b.capacityOf(baseHop1); cl != nil && get.Rate > 0 && hop.Rate > 0 {
				add("browse, closed loop as the baselines: / raw get/s; / invoke, one sidecar/s",
					fmt.Sprintf("%.2f; %.2f (%.0f/s, p99 %s; raw get %.0f/s; invoke %.0f/s, itself %.2f of raw get)",
						cl.Rate/get.Rate, cl.Rate/hop.Rate, cl.Rate, ms(cl.Latency.P99), get.Rate, hop.Rate, hop.Rate/get.Rate), "-")
			}
			add("browse: N, sidecar operations per browse", fmt.Sprintf("%.2f", n), "-")
		case "admit-one", "admit-fifty":
			if save.Rate > 0 {
				add(s.Name+": admissions/s at the knee / raw save/s", fmt.Sprintf("%.2f (%.0f/s of %.0f/s; p50 %s, p99 %s)",
					knee.Achieved/save.Rate, knee.Achieved, save.Rate, ms(knee.Latency.P50), ms(knee.Latency.P99)), "one store: direction >= 1,000 admissions/s")
			}
			add(s.Name+": N, sidecar operations per admission", fmt.Sprintf("%.2f", n), "-")
		case "lifecycle":
			if save.Rate > 0 {
				add("lifecycle: paid orders/s at the knee / raw save/s", fmt.Sprintf("%.3f (%.0f/s of %.0f/s; p50 %s, p99 %s of the customer's three calls)",
					knee.Achieved/save.Rate, knee.Achieved, save.Rate, ms(knee.Latency.P50), ms(knee.Latency.P99)), "direction >= 700 orders/s")
			}
			add("lifecycle: N, sidecar operations per paid order", fmt.Sprintf("%.2f", n), "-")
		}
	}
	hop2, ok2 := b.unloaded(baseHop2)
	direct, okd := b.unloaded(baseDirect)
	if ok2 && okd {
		add(fmt.Sprintf("added p50 of one invocation through two sidecars, at %.0f/s", hop2.Offered),
			fmt.Sprintf("%s (%s against %s direct)", ms(hop2.Latency.P50-direct.Latency.P50), ms(hop2.Latency.P50), ms(direct.Latency.P50)), "<= 0.9 ms")
	}
	return out
}
