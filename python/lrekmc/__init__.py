"""lrekmc"""
