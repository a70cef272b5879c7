package main

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Sizes of the stub backend's bodies. They match the payloads of the
// reference measurement: a ~300 B object per user and cart, a 50-item
// product list of ~11 KB, a ~2 KB promotions object, and a ~1 MB document
// (under the gateway's 2 MiB default backend body cap).
const (
	productCount = 50
	promoCount   = 10
	// bigTarget is the size the big document grows to (it stops at the
	// first record that reaches it).
	bigTarget = 1_000_000
	// bigDeniedField is the top-level field of /big the big scenario denies.
	bigDeniedField = "secret"
)

// bodies holds the stub backend's pre-encoded JSON responses. They are
// built once at start and never change.
type bodies struct {
	user, cart, products, promos, big []byte
}

type stubAddress struct {
	Street  string `json:"street"`
	City    string `json:"city"`
	Zip     string `json:"zip"`
	Country string `json:"country"`
}

type stubLoyalty struct {
	Tier   string `json:"tier"`
	Points int    `json:"points"`
}

type stubUser struct {
	IDUser       int         `json:"id_user"`
	Name         string      `json:"name"`
	Email        string      `json:"email"`
	Address      stubAddress `json:"address"`
	Loyalty      stubLoyalty `json:"loyalty"`
	PasswordHash string      `json:"password_hash"`
	CreatedAt    string      `json:"created_at"`
}

type stubCartItem struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

type stubCart struct {
	IDUser    int            `json:"id_user"`
	Items     []stubCartItem `json:"items"`
	Total     float64        `json:"total"`
	Currency  string         `json:"currency"`
	UpdatedAt string         `json:"updated_at"`
}

type stubProduct struct {
	ID       int      `json:"id"`
	SKU      string   `json:"sku"`
	Name     string   `json:"name"`
	Price    float64  `json:"price"`
	Currency string   `json:"currency"`
	Stock    int      `json:"stock"`
	Category string   `json:"category"`
	Rating   float64  `json:"rating"`
	Tags     []string `json:"tags"`
	Image    string   `json:"image"`
}

type stubPromo struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Discount int    `json:"discount_pct"`
	Banner   string `json:"banner"`
}

type stubPromos struct {
	Campaign   string      `json:"campaign"`
	Items      []stubPromo `json:"items"`
	ValidUntil string      `json:"valid_until"`
}

type stubRecord struct {
	ID       int     `json:"id"`
	Kind     string  `json:"kind"`
	Label    string  `json:"label"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Active   bool    `json:"active"`
	Note     string  `json:"note"`
	Tags     []int   `json:"tags"`
}

// newBodies builds every body deterministically.
func newBodies() (*bodies, error) {
	var b bodies
	var err error
	user := stubUser{
		IDUser: 42, Name: "Ada Lovelace", Email: "ada.lovelace@example.com",
		Address:      stubAddress{Street: "12 Analytical Engine Road", City: "London", Zip: "NW1 2DB", Country: "GB"},
		Loyalty:      stubLoyalty{Tier: "gold", Points: 18250},
		PasswordHash: "FAKE$2b$12$abcdefghijklmnopqrstuv0123456789ABCDEFGHIJKLMN",
		CreatedAt:    "2021-03-14T09:26:53Z",
	}
	if b.user, err = json.Marshal(user); err != nil {
		return nil, fmt.Errorf("encoding /users: %w", err)
	}
	cart := stubCart{
		IDUser: 42, Currency: "EUR", Total: 169.85, UpdatedAt: "2025-11-02T18:04:11Z",
		Items: []stubCartItem{
			{SKU: "SKU-0001-BLUE-M", Qty: 2, Price: 24.95},
			{SKU: "SKU-0017-RED-L", Qty: 1, Price: 59.00},
			{SKU: "SKU-0023-BLACK-S", Qty: 3, Price: 14.50},
			{SKU: "SKU-0042-GREEN-XL", Qty: 1, Price: 18.00},
		},
	}
	if b.cart, err = json.Marshal(cart); err != nil {
		return nil, fmt.Errorf("encoding /cart: %w", err)
	}
	products := make([]stubProduct, productCount)
	cats := [...]string{"books", "garden", "kitchen", "outdoor", "toys"}
	for i := range products {
		n := strconv.Itoa(1000 + i)
		products[i] = stubProduct{
			ID: i + 1, SKU: "SKU-" + n, Name: "Product " + n + " deluxe edition",
			Price: float64(500+i*37) / 100, Currency: "EUR", Stock: (i * 7) % 40,
			Category: cats[i%len(cats)], Rating: float64(30+i%20) / 10,
			Tags:  []string{"new", "popular"},
			Image: "https://cdn.example.com/img/products/" + n + ".jpg",
		}
	}
	if b.products, err = json.Marshal(products); err != nil {
		return nil, fmt.Errorf("encoding /products: %w", err)
	}
	promos := stubPromos{Campaign: "autumn-sale", ValidUntil: "2025-12-31T23:59:59Z"}
	for i := range promoCount {
		n := strconv.Itoa(i + 1)
		promos.Items = append(promos.Items, stubPromo{
			ID: "promo-" + n, Title: "Autumn deal number " + n,
			Text:     "Save on selected items this week; offer " + n + " applies in store and online.",
			Discount: 5 + 5*i, Banner: "https://cdn.example.com/img/promos/" + n + ".png",
		})
	}
	if b.promos, err = json.Marshal(promos); err != nil {
		return nil, fmt.Errorf("encoding /promos: %w", err)
	}
	if b.big, err = bigBody(); err != nil {
		return nil, err
	}
	return &b, nil
}

// bigBody builds the ~1 MB document: a few top-level fields, one of them
// bigDeniedField, and an array of records filling up to bigTarget.
func bigBody() ([]byte, error) {
	out := make([]byte, 0, bigTarget+1024)
	out = append(out, `{"id":"big-document","version":7,"`...)
	out = append(out, bigDeniedField...)
	out = append(out, `":"FAKE-s3cr3t-token-0123456789abcdef","generated_at":"2025-11-02T18:04:11Z","records":[`...)
	for i := 0; len(out) < bigTarget; i++ {
		if i > 0 {
			out = append(out, ',')
		}
		rec := stubRecord{
			ID: i, Kind: "ledger-entry", Label: "Record " + strconv.Itoa(i) + " of the big document",
			Amount: float64(i%9973) / 7, Currency: "EUR", Active: i%3 != 0,
			Note: "a longer free-text note to make each record a realistic size",
			Tags: []int{i % 5, i % 7, i % 11},
		}
		enc, err := json.Marshal(rec)
		if err != nil {
			return nil, fmt.Errorf("encoding /big: %w", err)
		}
		out = append(out, enc...)
	}
	return append(out, "]}"...), nil
}
