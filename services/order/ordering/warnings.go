package ordering

import "fmt"

// WarningCode names a Warning for clients, which may show their own text for it.
type WarningCode string

// WarnKitchenBusy: the store's kitchen is busy (staff said so, or it has as many open orders as its
// limit). The order is placed all the same; it will take longer.
const WarnKitchenBusy WarningCode = "kitchen_busy"

// Warning is something the customer should know before paying; the order is placed all the same.
// WaitMinutes is the kitchen's estimate for the order, 0 when it gave none.
type Warning struct {
	Code        WarningCode
	Message     string
	WaitMinutes int64
}

// StoreMenu is what checkout needs of a store's menu.
type StoreMenu struct {
	Dishes map[string]Dish
	// Busy: staff closed the store to new orders (the menu's own busy flag); checkout refuses.
	Busy bool
	// Kitchen is the store's kitchen load as the menu shows it; zero when the kitchen said nothing.
	Kitchen Kitchen
}

// Kitchen is a store's kitchen load: Busy (slower than usual; orders still get in) and the wait.
type Kitchen struct {
	Busy        bool
	WaitMinutes int64
}

// warnings is what the customer should be told of the store before paying: read from the menu
// answer checkout already has, so that a warning costs no call.
func warnings(k Kitchen) []Warning {
	if !k.Busy {
		return nil
	}
	msg := "the kitchen is busy: your order is accepted and will take longer than usual"
	if k.WaitMinutes > 0 {
		msg += fmt.Sprintf(", about %d minutes", k.WaitMinutes)
	}
	return []Warning{{Code: WarnKitchenBusy, Message: msg, WaitMinutes: k.WaitMinutes}}
}
