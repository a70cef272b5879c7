package demo

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxUserID is the largest user id the users service knows; ids run from 1.
const MaxUserID = 1000

// user is the /users/{id} document.
type user struct {
	ID           int     `json:"id"`
	Name         string  `json:"name"`
	Email        string  `json:"email"`
	PasswordHash string  `json:"password_hash"`
	Address      address `json:"address"`
	Loyalty      loyalty `json:"loyalty"`
	CreatedAt    string  `json:"created_at"`
}

// address is a user's postal address.
type address struct {
	Street  string `json:"street"`
	City    string `json:"city"`
	Zip     string `json:"zip"`
	Country string `json:"country"`
}

// loyalty is a user's loyalty programme standing.
type loyalty struct {
	Tier   string `json:"tier"`
	Points int    `json:"points"`
}

// cart is the /shopping-cart/{id} document.
type cart struct {
	Items        []cartItem `json:"items"`
	Total        price      `json:"total"`
	Currency     string     `json:"currency"`
	UpdatedAt    string     `json:"updated_at"`
	SessionToken string     `json:"session_token"`
}

// cartItem is one line of a cart.
type cartItem struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Qty       int    `json:"qty"`
	UnitPrice price  `json:"unit_price"`
}

// seed returns well-mixed bits derived from id and salt (SplitMix64), so that
// every field is a pure function of the id.
func seed(id int, salt uint64) uint64 {
	x := uint64(id)*0x9E3779B97F4A7C15 + salt
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	return x ^ x>>31
}

// pick returns one of options, chosen by h.
func pick[T any](options []T, h uint64) T {
	return options[h%uint64(len(options))]
}

// hex16 renders h as 16 lowercase hex digits.
func hex16(h uint64) string {
	s := strconv.FormatUint(h, 16)
	return strings.Repeat("0", 16-len(s)) + s
}

// city is a place a demo user lives in.
type city struct{ name, zip, country string }

// makeUser builds user id (1 ≤ id ≤ MaxUserID).
func makeUser(id int) user {
	first := pick([]string{"Ana", "Bruno", "Chloé", "David", "Elena", "Farid", "Greta", "Hugo",
		"Inés", "Jonas", "Kenji", "Lucía", "Marta", "Nils", "Olga", "Pablo"}, seed(id, 1))
	last := pick([]string{"García", "Schmidt", "Rossi", "Dubois", "Silva", "Novak", "Jansen",
		"Murphy", "Kowalski", "Lindqvist", "Moreau", "Fischer", "Romero", "Costa"}, seed(id, 2))
	c := pick([]city{
		{"Madrid", "28013", "ES"}, {"Barcelona", "08002", "ES"}, {"Lisbon", "1100-148", "PT"},
		{"Berlin", "10115", "DE"}, {"Paris", "75002", "FR"}, {"Amsterdam", "1012 JS", "NL"},
		{"Milan", "20121", "IT"}, {"Dublin", "D02 X285", "IE"}, {"Vienna", "1010", "AT"},
		{"Copenhagen", "1050", "DK"},
	}, seed(id, 3))
	street := pick([]string{"Main Street", "Harbour Road", "Station Square", "Elm Avenue",
		"Market Lane", "River Walk", "Park Row", "Mill Street"}, seed(id, 4))
	points := int(seed(id, 5) % 20000)
	tier := "bronze"
	switch {
	case points >= 15000:
		tier = "platinum"
	case points >= 8000:
		tier = "gold"
	case points >= 2000:
		tier = "silver"
	}
	created := time.Date(2019, time.January, 1, 0, 0, 0, 0, time.UTC).
		Add(time.Duration(seed(id, 6)%(5*365*24*3600)) * time.Second)
	return user{
		ID:           id,
		Name:         first + " " + last,
		Email:        strings.ToLower(asciiFold(first)+"."+asciiFold(last)) + strconv.Itoa(id) + "@example.com",
		PasswordHash: "FAKE-DEMO-HASH-NOT-A-SECRET-" + hex16(seed(id, 7)),
		Address: address{
			Street:  strconv.Itoa(1+int(seed(id, 8)%180)) + " " + street,
			City:    c.name,
			Zip:     c.zip,
			Country: c.country,
		},
		Loyalty:   loyalty{Tier: tier, Points: points},
		CreatedAt: created.Format(time.RFC3339),
	}
}

// asciiFold replaces the accented letters used in demo names by plain ones,
// for e-mail addresses.
func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'á':
			return 'a'
		case 'é':
			return 'e'
		case 'í':
			return 'i'
		case 'ó':
			return 'o'
		default:
			return r
		}
	}, s)
}

// makeCart builds the cart of user id (1 ≤ id ≤ MaxUserID) from the catalog.
// Carts hold 0 to 4 distinct products.
func makeCart(id int, products []product) cart {
	n := int(seed(id, 10) % 5)
	start := int(seed(id, 11) % uint64(len(products)))
	c := cart{Items: make([]cartItem, 0, n), Currency: "EUR"}
	for k := range n {
		p := products[(start+5*k)%len(products)] // 5 is coprime with 12: distinct products
		qty := 1 + int(seed(id, 12+uint64(k))%3)
		c.Items = append(c.Items, cartItem{SKU: p.SKU, Name: p.Name, Qty: qty, UnitPrice: p.Price})
		c.Total += p.Price * price(qty)
	}
	updated := time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC).
		Add(time.Duration(seed(id, 20)%(30*24*3600)) * time.Second)
	c.UpdatedAt = updated.Format(time.RFC3339)
	c.SessionToken = "FAKE-DEMO-SESSION-" + hex16(seed(id, 21)) + hex16(seed(id, 22))
	return c
}

// UsersHandler returns the users service: GET /users/{id} and
// GET /shopping-cart/{id} for ids 1 to MaxUserID, written in plain decimal
// without leading zeros. Other ids, and any other path, are a 404 JSON error.
// Every body is encoded once, here.
func UsersHandler() http.Handler {
	products := catalogProducts()
	users := make([]body, MaxUserID+1)
	carts := make([]body, MaxUserID+1)
	for id := 1; id <= MaxUserID; id++ {
		users[id] = mustJSON(makeUser(id))
		carts[id] = mustJSON(makeCart(id, products))
	}
	errs := newErrorBodies()
	return &service{
		errors: errs,
		route: func(path string) (int, body, bool) {
			var table []body
			var idText string
			if rest, ok := strings.CutPrefix(path, "/users/"); ok {
				table, idText = users, rest
			} else if rest, ok := strings.CutPrefix(path, "/shopping-cart/"); ok {
				table, idText = carts, rest
			} else {
				return 0, body{}, false
			}
			if idText == "" || strings.Contains(idText, "/") {
				return 0, body{}, false
			}
			id, ok := parseDecimal(idText, MaxUserID)
			if !ok || id == 0 || idText[0] == '0' {
				return http.StatusNotFound, errs.notFound, true
			}
			return http.StatusOK, table[id], true
		},
	}
}
