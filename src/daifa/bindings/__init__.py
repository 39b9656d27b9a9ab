"""Bindings between shops and suppliers, made by invitation or by application."""
